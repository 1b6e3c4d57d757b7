//! The plan's steps on several connections at once, with the run log still in plan order.
//!
//! A task is one step, or the run of checks that follows a step (counted in one query). A task
//! starts when every task it waits for ([`crate::pipeline::deps::waits`]) has ended, on the
//! first free worker. Results are handed back in plan order, each as soon as every earlier
//! step's is: the run log reads as if the steps had run one by one. When a step fails, no task
//! after it starts, the tasks before it still run (so the log up to the failure is the one a
//! one-by-one run prints) and whatever later steps had already finished is dropped unreported.
//! When a stop is requested (Ctrl-C), no new task starts and the finished prefix is reported.

use std::ops::Range;
use std::sync::Mutex;
use std::sync::mpsc;

use crate::pipeline::deps;
use crate::pipeline::plan::{Step, StepKind};

/// One unit of the schedule: `steps` of the plan, run in order by one worker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Task {
    pub steps: Range<usize>,
}

/// The plan's tasks (each step alone, each run of checks together) and, for each, the earlier
/// tasks it waits for.
pub fn tasks(plan: &[Step<'_>]) -> (Vec<Task>, Vec<Vec<usize>>) {
    let mut tasks: Vec<Task> = Vec::new();
    let mut task_of = Vec::with_capacity(plan.len());
    for (i, step) in plan.iter().enumerate() {
        let is_check = matches!(step.kind, StepKind::Check { .. });
        let joins = is_check && i > 0 && matches!(plan[i - 1].kind, StepKind::Check { .. });
        match tasks.last_mut() {
            Some(last) if joins => last.steps.end = i + 1,
            _ => tasks.push(Task { steps: i..i + 1 }),
        }
        task_of.push(tasks.len() - 1);
    }
    let step_waits = deps::waits(plan);
    let waits = tasks
        .iter()
        .enumerate()
        .map(|(t, task)| {
            let mut w: Vec<usize> = task.steps.clone().flat_map(|i| step_waits[i].iter().map(|&j| task_of[j])).filter(|&u| u != t).collect();
            w.sort_unstable();
            w.dedup();
            w
        })
        .collect();
    (tasks, waits)
}

/// `tasks` and `waits` with one more task, of no step, that waits for the tasks `after` picks:
/// work of the runner's own (the side file's checkpoint) run beside the steps still running.
/// It runs only while no step has failed; `exec` gets it as a task with an empty range.
pub fn with_final(tasks: &mut Vec<Task>, waits: &mut Vec<Vec<usize>>, after: impl Fn(&Task) -> bool) {
    let end = tasks.last().map_or(0, |t| t.steps.end);
    waits.push((0..tasks.len()).filter(|&t| after(&tasks[t])).collect());
    tasks.push(Task { steps: end..end });
}

/// Runs `tasks` on `workers` (one thread each): `exec` runs one task on a worker and returns
/// each step's result, in order, ending early at a step that `stops` the build; `report`
/// receives `(plan index, result)` in plan order. `stop_requested` is polled between tasks.
/// Returns whether it stopped on a request rather than by running out of work; an error when
/// not one worker thread could be started (one that cannot be started is left out).
pub fn run<W, R>(
    tasks: &[Task],
    waits: &[Vec<usize>],
    workers: Vec<W>,
    exec: impl Fn(&mut W, &Task) -> Vec<(usize, R)> + Sync,
    stops: impl Fn(&R) -> bool,
    stop_requested: impl Fn() -> bool,
    mut report: impl FnMut(usize, R),
) -> std::io::Result<bool>
where
    W: Send,
    R: Send,
{
    let steps = tasks.last().map_or(0, |t| t.steps.end);
    let mut results: Vec<Option<R>> = (0..steps).map(|_| None).collect();
    let mut started = vec![false; tasks.len()];
    let mut ended = vec![false; tasks.len()];
    // No task starting at or after `limit` runs; results there are dropped.
    let mut limit = steps;
    let mut next_report = 0;
    let mut requested = false;
    let (job_tx, job_rx) = mpsc::channel::<usize>();
    let job_rx = Mutex::new(job_rx);
    let (done_tx, done_rx) = mpsc::channel::<(usize, Vec<(usize, R)>)>();
    std::thread::scope(|s| {
        let mut spawned = 0;
        let mut spawn_error = None;
        for mut worker in workers {
            let (job_rx, done_tx, exec) = (&job_rx, done_tx.clone(), &exec);
            let thread = std::thread::Builder::new().name("build-worker".into()).spawn_scoped(s, move || {
                loop {
                    let job = job_rx.lock().unwrap_or_else(|e| e.into_inner()).recv();
                    let Ok(t) = job else { return };
                    if done_tx.send((t, exec(&mut worker, &tasks[t]))).is_err() {
                        return;
                    }
                }
            });
            match thread {
                Ok(_) => spawned += 1,
                Err(e) => {
                    tracing::warn!("a build worker thread could not be started ({e}); the build goes on with fewer");
                    spawn_error = Some(e);
                }
            }
        }
        drop(done_tx);
        if spawned == 0 {
            return Err(spawn_error.unwrap_or_else(|| std::io::Error::other("no build worker")));
        }
        let mut in_flight = 0;
        loop {
            requested = requested || stop_requested();
            if !requested {
                for t in 0..tasks.len() {
                    let in_range = tasks[t].steps.start < limit || tasks[t].steps.is_empty() && limit == steps;
                    if !started[t] && in_range && waits[t].iter().all(|&u| ended[u]) {
                        started[t] = true;
                        in_flight += 1;
                        // The workers outlive the loop: a send cannot fail here.
                        let _ = job_tx.send(t);
                    }
                }
            }
            if in_flight == 0 {
                break;
            }
            let Ok((t, out)) = done_rx.recv() else { break };
            in_flight -= 1;
            ended[t] = true;
            for (i, r) in out {
                if i >= limit {
                    break;
                }
                if stops(&r) {
                    limit = i + 1;
                }
                results[i] = Some(r);
            }
            while next_report < limit {
                let Some(r) = results[next_report].take() else { break };
                report(next_report, r);
                next_report += 1;
            }
        }
        drop(job_tx);
        Ok(())
    })?;
    Ok(requested)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn chain(n: usize) -> Vec<Task> {
        (0..n).map(|i| Task { steps: i..i + 1 }).collect()
    }

    /// Independent tasks run at the same time on two workers, and come back in plan order.
    #[test]
    fn independent_tasks_overlap_and_report_in_order() {
        let tasks = chain(6);
        let waits = vec![vec![]; 6];
        let running = AtomicUsize::new(0);
        let most = AtomicUsize::new(0);
        let mut order = Vec::new();
        run(
            &tasks,
            &waits,
            vec![(), ()],
            |_, t| {
                let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                most.fetch_max(now, Ordering::SeqCst);
                // Later tasks end sooner: the order they end in is not the plan's.
                std::thread::sleep(std::time::Duration::from_millis(5 * (6 - t.steps.start) as u64));
                running.fetch_sub(1, Ordering::SeqCst);
                vec![(t.steps.start, t.steps.start)]
            },
            |_| false,
            || false,
            |i, r| order.push((i, r)),
        ).unwrap();
        assert_eq!(order, (0..6).map(|i| (i, i)).collect::<Vec<_>>());
        assert_eq!(most.load(Ordering::SeqCst), 2);
    }

    /// A task starts only after the tasks it waits for have ended.
    #[test]
    fn a_task_waits_for_its_inputs() {
        let tasks = chain(3);
        let waits = vec![vec![], vec![0], vec![1]];
        let ended = Mutex::new(Vec::new());
        run(
            &tasks,
            &waits,
            vec![(), (), ()],
            |_, t| {
                let i = t.steps.start;
                assert!(waits[i].iter().all(|w| ended.lock().unwrap().contains(w)), "task {i} started before its inputs ended");
                std::thread::sleep(std::time::Duration::from_millis(2));
                ended.lock().unwrap().push(i);
                vec![(i, ())]
            },
            |_| false,
            || false,
            |_, _| {},
        ).unwrap();
        assert_eq!(*ended.lock().unwrap(), vec![0, 1, 2]);
    }

    /// After a failure at step 2, the steps before it are all reported (step 1, slow, ends
    /// last), step 3, which ran beside them, is dropped, and step 4, after it, never starts.
    #[test]
    fn a_failure_reports_the_prefix_a_sequential_run_would() {
        let tasks = chain(5);
        let waits = vec![vec![], vec![0], vec![0], vec![0], vec![3]];
        let mut reported = Vec::new();
        let ran = Mutex::new(Vec::new());
        run(
            &tasks,
            &waits,
            vec![(), (), ()],
            |_, t| {
                let i = t.steps.start;
                ran.lock().unwrap().push(i);
                std::thread::sleep(std::time::Duration::from_millis(match i {
                    1 => 40,
                    3 => 20,
                    _ => 1,
                }));
                vec![(i, i == 2)]
            },
            |failed| *failed,
            || false,
            |i, failed| reported.push((i, failed)),
        ).unwrap();
        assert_eq!(reported, vec![(0, false), (1, false), (2, true)]);
        assert!(!ran.lock().unwrap().contains(&4), "a step after the failure ran");
    }

    /// The final task of no step runs once the tasks it waits for have ended, beside the
    /// others, and not after a failure.
    #[test]
    fn the_final_task_runs_beside_the_last_steps() {
        for fail in [false, true] {
            let mut tasks = chain(3);
            let mut waits = vec![vec![], vec![0], vec![0]];
            with_final(&mut tasks, &mut waits, |t| t.steps.start == 0);
            assert_eq!(tasks[3].steps, 3..3);
            let final_ran = Mutex::new(None);
            let ended = Mutex::new(Vec::new());
            run(
                &tasks,
                &waits,
                vec![(), ()],
                |_, t| {
                    if t.steps.is_empty() {
                        *final_ran.lock().unwrap() = Some(ended.lock().unwrap().clone());
                        return vec![];
                    }
                    let i = t.steps.start;
                    std::thread::sleep(std::time::Duration::from_millis(if i == 2 { 30 } else { 1 }));
                    ended.lock().unwrap().push(i);
                    vec![(i, fail && i == 0)]
                },
                |failed| *failed,
                || false,
                |_, _| {},
            ).unwrap();
            let ran = final_ran.lock().unwrap().clone();
            if fail {
                assert_eq!(ran, None);
            } else {
                // After step 0, before the slow step 2 ended.
                let before = ran.expect("the final task ran");
                assert!(before.contains(&0) && !before.contains(&2), "{before:?}");
            }
        }
    }

    /// A stop request lets running tasks end and reports what finished, in order.
    #[test]
    fn a_stop_request_starts_nothing_new() {
        let tasks = chain(4);
        let waits = vec![vec![], vec![0], vec![1], vec![2]];
        let mut reported = Vec::new();
        let count = AtomicUsize::new(0);
        let stopped = run(
            &tasks,
            &waits,
            vec![()],
            |_, t| {
                count.fetch_add(1, Ordering::SeqCst);
                vec![(t.steps.start, ())]
            },
            |_| false,
            || count.load(Ordering::SeqCst) >= 2,
            |i, _| reported.push(i),
        ).unwrap();
        assert!(stopped);
        assert_eq!(reported, vec![0, 1]);
    }
}
