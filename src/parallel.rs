//! Independent jobs on all cores: scoped threads taking job numbers from one atomic counter
//! (so a long job does not hold up a thread's share), results returned in job order.
//!
//! Every job's result depends only on its number, never on which thread ran it or when, so a
//! computation spread over any number of threads gives the same answer as on one.

use std::sync::atomic::{AtomicUsize, Ordering};

/// The worker threads for `requested` (0 = every core the process may use), never more than
/// there are `jobs`, at least 1.
pub fn threads(requested: usize, jobs: usize) -> usize {
    let all = if requested == 0 { std::thread::available_parallelism().map_or(1, |n| n.get()) } else { requested };
    all.min(jobs).max(1)
}

/// `f(0..jobs)` on `threads` threads; `out[j] = f(j)`.
pub fn map<T: Send>(jobs: usize, threads: usize, f: impl Fn(usize) -> T + Sync) -> Vec<T> {
    map_with(jobs, threads, || (), |_, j| f(j))
}

/// [`map`] with a scratch value per thread (made by `init`, reused from job to job), for
/// jobs that need large buffers.
pub fn map_with<S: Send, T: Send>(jobs: usize, threads: usize, init: impl Fn() -> S + Sync, f: impl Fn(&mut S, usize) -> T + Sync) -> Vec<T> {
    if threads <= 1 || jobs <= 1 {
        let mut scratch = init();
        return (0..jobs).map(|j| f(&mut scratch, j)).collect();
    }
    map_owned(jobs, (0..threads.min(jobs)).map(|_| init()).collect(), f)
}

/// `f(0..jobs)` with the scratch values given: one thread per value of `scratch` (each taken
/// by its thread, for values made on the calling thread, e.g. a database connection per
/// thread), never more than there are `jobs`; `out[j] = f(scratch of its thread, j)`.
pub fn map_owned<S: Send, T: Send>(jobs: usize, scratch: Vec<S>, f: impl Fn(&mut S, usize) -> T + Sync) -> Vec<T> {
    let next = AtomicUsize::new(0);
    let mut done: Vec<(usize, T)> = std::thread::scope(|s| {
        let handles: Vec<_> = scratch
            .into_iter()
            .take(jobs)
            .map(|mut mine_scratch| {
                let (next, f) = (&next, &f);
                s.spawn(move || {
                    let mut mine = Vec::new();
                    loop {
                        let j = next.fetch_add(1, Ordering::Relaxed);
                        if j >= jobs {
                            return mine;
                        }
                        mine.push((j, f(&mut mine_scratch, j)));
                    }
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().expect("worker thread")).collect()
    });
    done.sort_unstable_by_key(|(j, _)| *j);
    done.into_iter().map(|(_, t)| t).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Results come back in job order whatever the thread count; the thread count is capped
    /// by the jobs and is at least one.
    #[test]
    fn results_in_job_order() {
        for t in [1, 2, 7] {
            assert_eq!(map(50, t, |j| j * j), (0..50).map(|j| j * j).collect::<Vec<_>>());
        }
        assert!(map(0, 4, |j| j).is_empty());
        let owned = map_owned(9, vec![10, 20], |base, j| (*base >= 10) as usize * j);
        assert_eq!(owned, (0..9).collect::<Vec<_>>());
        assert_eq!(threads(8, 3), 3);
        assert_eq!(threads(2, 0), 1);
        assert!(threads(0, 1000) >= 1);
    }
}
