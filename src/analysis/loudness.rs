//! EBU R 128 loudness: integrated loudness (LUFS) and loudness range (LU), with the `ebur128`
//! crate (a port of libebur128 that passes EBU Tech 3341 and 3342) on the file's own sample
//! rate and channels, before any downmix.
//!
//! Channels follow libebur128's default map (L, R, C, LFE — not counted —, Ls, Rs). A mono
//! file is measured as **dual mono** (as if played on both speakers, ITU-R BS.1770's note for
//! mono), so a mono and a stereo copy of the same music read the same loudness. The meter
//! runs in histogram mode: its memory does not grow with the file's length.

use ebur128::{Channel, EbuR128, Mode};

pub struct Meter {
    inner: Option<EbuR128>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Loudness {
    /// Integrated loudness, LUFS (None for silence: below the absolute gate).
    pub integrated: Option<f64>,
    /// Loudness range, LU.
    pub range: Option<f64>,
}

impl Meter {
    pub fn new(channels: usize, rate: u32) -> Meter {
        let inner = EbuR128::new(channels as u32, rate, Mode::I | Mode::LRA | Mode::HISTOGRAM).ok().map(|mut m| {
            if channels == 1 {
                let _ = m.set_channel(0, Channel::DualMono);
            }
            m
        });
        Meter { inner }
    }

    /// Interleaved samples.
    pub fn push(&mut self, interleaved: &[f32]) {
        if let Some(m) = &mut self.inner {
            let _ = m.add_frames_f32(interleaved);
        }
    }

    pub fn finish(&self) -> Loudness {
        let Some(m) = &self.inner else { return Loudness { integrated: None, range: None } };
        let finite = |v: Result<f64, ebur128::Error>| v.ok().filter(|x| x.is_finite());
        Loudness { integrated: finite(m.loudness_global()), range: finite(m.loudness_range()) }
    }
}
