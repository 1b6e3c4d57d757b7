//! Memory stays bounded on long files: a counting allocator (this thread's live and peak heap
//! bytes) watches one analyser stream 20 minutes of 44.1 kHz stereo in decoder-sized chunks.
//! While streaming, only the onset envelope may grow (4 bytes per 11.6 ms hop, 1.2 MB an
//! hour, doubled at most by `Vec`'s growth); the end of the track may add at most 16 bytes
//! per hop (the onset picking's sorted copy and prefix sums, then danceability's profile, one
//! after the other) and 16 MB (the tempo's zero-padded FFT of the central 240 s, its plan and
//! scratch: 12 MB whatever the length). Extrapolated, an 8-hour file stays under 100 MB.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use super::analyzer::TrackAnalyzer;
use super::frames::frame_rate;

struct Counting;

thread_local! {
    static LIVE: Cell<isize> = const { Cell::new(0) };
    static PEAK: Cell<isize> = const { Cell::new(0) };
}

fn count(delta: isize) {
    let _ = LIVE.try_with(|live| {
        let v = live.get() + delta;
        live.set(v);
        let _ = PEAK.try_with(|p| p.set(p.get().max(v)));
    });
}

// SAFETY: every call is forwarded to the system allocator unchanged; only counters are kept.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(l) };
        if !p.is_null() {
            count(l.size() as isize);
        }
        p
    }
    unsafe fn alloc_zeroed(&self, l: Layout) -> *mut u8 {
        let p = unsafe { System.alloc_zeroed(l) };
        if !p.is_null() {
            count(l.size() as isize);
        }
        p
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        unsafe { System.dealloc(p, l) };
        count(-(l.size() as isize));
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, new: usize) -> *mut u8 {
        let q = unsafe { System.realloc(p, l, new) };
        if !q.is_null() {
            count(new as isize - l.size() as isize);
        }
        q
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn live() -> isize {
    LIVE.with(Cell::get)
}

#[test]
fn memory_is_bounded_on_long_files() {
    const RATE: usize = 44_100;
    const CHUNK: usize = 4096;
    // one second of 120 BPM kicks over a chord, stereo, repeated
    let second: Vec<f32> = (0..RATE)
        .flat_map(|i| {
            let t = i as f64 / RATE as f64;
            let beat = (t % 0.5) * 40.0;
            let kick = (2.0 * std::f64::consts::PI * 50.0 * t).sin() * (-beat).exp();
            let chord: f64 = [261.63, 329.63, 392.0].iter().map(|f| (2.0 * std::f64::consts::PI * f * t).sin()).sum::<f64>() / 6.0;
            let v = (0.5 * kick + 0.3 * chord) as f32;
            [v, v]
        })
        .collect();
    let minutes = |m: usize| m * 60 * RATE;
    let mut a = TrackAnalyzer::new(2, RATE as u32);
    let mut fed = 0usize;
    let mut feed = |a: &mut TrackAnalyzer, until: usize| {
        let mut buf = Vec::with_capacity(CHUNK * 2);
        while fed < until {
            buf.clear();
            for k in 0..CHUNK {
                let i = (fed + k) % RATE;
                buf.extend_from_slice(&second[2 * i..2 * i + 2]);
            }
            a.push(&buf);
            fed += CHUNK;
        }
    };
    feed(&mut a, minutes(5));
    let at_5 = live();
    feed(&mut a, minutes(20));
    let at_20 = live();
    let hops_15 = 15.0 * 60.0 * frame_rate();
    let per_hop = (at_20 - at_5) as f64 / hops_15;
    assert!(per_hop <= 8.0, "streaming grows {per_hop:.1} bytes per hop (the envelope is 4)");
    PEAK.with(|p| p.set(live()));
    let before = live();
    let features = a.finish();
    let hops = fed as f64 / RATE as f64 * frame_rate();
    let end_extra = (PEAK.with(Cell::get) - before) as f64;
    assert!(end_extra <= 16.0 * hops + 16e6, "finishing took {:.1} MB for {hops:.0} hops", end_extra / 1e6);
    assert!((features.tempo_bpm.unwrap() - 120.0).abs() < 1.2, "{:?}", features.tempo_bpm);
    // eight hours at these rates
    let hops_8h = 8.0 * 3600.0 * frame_rate();
    let projected = at_5 as f64 + 8.0 * hops_8h + 16.0 * hops_8h + 16e6;
    assert!(projected < 100e6, "an 8-hour file would take {:.0} MB", projected / 1e6);
}
