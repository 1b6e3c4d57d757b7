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

/// Decodes `path` and analyses each segment starting at `starts` (seconds, ascending, the
/// first normally 0). Returns the stream's description, one result per segment and the time
/// of each phase (`rest` left to the caller).
pub fn analyze_file(path: &Path, starts: &[f64]) -> Result<(StreamInfo, Vec<Features>, Phases), FileError> {
    let started = Instant::now();
    let mut current: Option<TrackAnalyzer> = None;
    let mut done: Vec<Features> = Vec::with_capacity(starts.len());
    let mut phases = Phases::default();
    let finish = |a: TrackAnalyzer, done: &mut Vec<Features>, phases: &mut Phases| {
        let (f, p) = a.finish_timed();
        phases.add(&p);
        done.push(f);
    };
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
                if current.is_none() || done.len() + 1 < seg + 1 {
                    // finish the previous one(s) and start segment `seg`
                    if let Some(a) = current.take() {
                        finish(a, &mut done, &mut phases);
                    }
                    while done.len() < seg {
                        done.push(Features::default()); // an empty segment (two starts at once)
                    }
                    current = Some(TrackAnalyzer::new(channels, rate));
                }
                let frames_left = rest.len() / channels;
                let until_next = bounds.get(seg + 1).map_or(u64::MAX, |b| b - position);
                let take = (frames_left as u64).min(until_next) as usize;
                let (now, later) = rest.split_at(take * channels);
                if let Some(a) = current.as_mut() {
                    a.push(now);
                }
                position += take as u64;
                rest = later;
            }
        },
    )?;
    if let Some(a) = current.take() {
        finish(a, &mut done, &mut phases);
    }
    // decoding is what the whole took beyond the analysers' own phases
    phases.decode = started.elapsed().saturating_sub(phases.named() + phases.rest);
    while done.len() < starts.len().max(1) {
        done.push(Features::default());
    }
    if done.iter().all(|f| f.duration_s == 0.0) {
        return Err(FileError::Empty("no samples decoded".into()));
    }
    Ok((info, done, phases))
}
