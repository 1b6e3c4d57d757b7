//! One decode, several tracks: a file's samples routed to one [`TrackAnalyzer`] per segment.
//!
//! A plain file is one segment from 0 to its end; a CUE-split side has one segment per CUE
//! track, each from its start to the next one's. The file is decoded once, streaming; when a
//! chunk crosses a segment boundary it is cut there, the finished segment's features are
//! computed, and a new analyser starts.

use std::path::Path;
use std::time::Instant;

use super::analyzer::TrackAnalyzer;
use super::decode::{StreamInfo, decode};
use super::error::FileError;
use super::features::Features;
use super::phases::Phases;

/// A consumer of one segment's samples.
pub trait Segment {
    type Out;
    /// Interleaved samples in −1..1, in order.
    fn push(&mut self, interleaved: &[f32]);
    fn finish(self) -> Self::Out;
}

/// Decodes `path` once, streaming, and feeds each segment starting at `starts` (seconds,
/// ascending, the first normally 0) to its own consumer, made by `open(channels, rate)` when
/// its first sample arrives: a chunk that crosses a boundary is cut there. Returns the
/// stream's description and one output per segment (at least one), `empty()` for a segment
/// no sample reached (two starts at once, or past the end).
pub fn decode_segments<S: Segment>(
    path: &Path,
    starts: &[f64],
    mut open: impl FnMut(usize, u32) -> S,
    empty: impl Fn() -> S::Out,
) -> Result<(StreamInfo, Vec<S::Out>), FileError> {
    let mut current: Option<S> = None;
    let mut done: Vec<S::Out> = Vec::with_capacity(starts.len());
    let layout = std::cell::Cell::new((1usize, 44_100u32));
    // sample index (per channel) of each segment's start, known once the rate is
    let bounds: std::cell::RefCell<Vec<u64>> = std::cell::RefCell::new(Vec::new());
    let mut position: u64 = 0;
    let info = decode(
        path,
        |channels, rate| {
            layout.set((channels.max(1), rate));
            *bounds.borrow_mut() = starts.iter().map(|s| (s * rate as f64).round() as u64).collect();
        },
        |chunk| {
            let (channels, rate) = layout.get();
            let bounds = bounds.borrow();
            let mut rest = chunk;
            while !rest.is_empty() {
                // which segment does `position` belong to?
                let seg = bounds.iter().rposition(|b| *b <= position).unwrap_or(0);
                if current.is_none() || done.len() < seg {
                    // finish the previous one(s) and start segment `seg`
                    if let Some(c) = current.take() {
                        done.push(c.finish());
                    }
                    while done.len() < seg {
                        done.push(empty());
                    }
                    current = Some(open(channels, rate));
                }
                let until_next = bounds.get(seg + 1).map_or(u64::MAX, |b| b - position);
                let take = ((rest.len() / channels) as u64).min(until_next) as usize;
                let (now, later) = rest.split_at(take * channels);
                if let Some(c) = current.as_mut() {
                    c.push(now);
                }
                position += take as u64;
                rest = later;
            }
        },
    )?;
    if let Some(c) = current.take() {
        done.push(c.finish());
    }
    while done.len() < starts.len().max(1) {
        done.push(empty());
    }
    Ok((info, done))
}

impl Segment for TrackAnalyzer {
    type Out = (Features, Phases);

    fn push(&mut self, interleaved: &[f32]) {
        TrackAnalyzer::push(self, interleaved);
    }

    fn finish(self) -> (Features, Phases) {
        self.finish_timed()
    }
}

/// Decodes `path` and analyses each segment starting at `starts` (seconds, ascending, the
/// first normally 0). Returns the stream's description, one result per segment and the time
/// of each phase (`rest` left to the caller).
pub fn analyze_file(path: &Path, starts: &[f64]) -> Result<(StreamInfo, Vec<Features>, Phases), FileError> {
    let started = Instant::now();
    let (info, segments) = decode_segments(path, starts, TrackAnalyzer::new, || (Features::default(), Phases::default()))?;
    let mut phases = Phases::default();
    let mut done = Vec::with_capacity(segments.len());
    for (f, p) in segments {
        phases.add(&p);
        done.push(f);
    }
    // decoding is what the whole took beyond the analysers' own phases
    phases.decode = started.elapsed().saturating_sub(phases.named() + phases.rest);
    if done.iter().all(|f| f.duration_s == 0.0) {
        return Err(FileError::Empty("no samples decoded".into()));
    }
    Ok((info, done, phases))
}
