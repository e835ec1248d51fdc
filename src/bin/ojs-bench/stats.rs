//! Latency summaries. Percentiles use the nearest-rank method: the reported value is always
//! one that was actually observed.

use serde::Serialize;

/// Nearest-rank percentile of an ascending slice; `p` in [0, 100]. `None` when empty.
pub fn percentile(sorted: &[f64], p: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let p = p.clamp(0.0, 100.0);
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    Some(sorted[rank.clamp(1, sorted.len()) - 1])
}

#[derive(Serialize, Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    pub count: usize,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    pub mean_ms: f64,
}

/// Summarises samples in milliseconds; `None` when there are none.
pub fn summarize(mut samples_ms: Vec<f64>) -> Option<Summary> {
    samples_ms.retain(|sample| sample.is_finite());
    samples_ms.sort_by(f64::total_cmp);
    let count = samples_ms.len();
    Some(Summary {
        count,
        p50_ms: percentile(&samples_ms, 50.0)?,
        p99_ms: percentile(&samples_ms, 99.0)?,
        max_ms: *samples_ms.last()?,
        mean_ms: samples_ms.iter().sum::<f64>() / count as f64,
    })
}

/// Jobs per second, 0 when no time elapsed.
pub fn rate(jobs: u64, secs: f64) -> f64 {
    if secs > 0.0 {
        jobs as f64 / secs
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentile_of_nothing_is_none() {
        assert_eq!(percentile(&[], 50.0), None);
        assert_eq!(summarize(vec![]), None);
    }

    #[test]
    fn percentile_uses_nearest_rank() {
        let hundred: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile(&hundred, 50.0), Some(50.0));
        assert_eq!(percentile(&hundred, 99.0), Some(99.0));
        assert_eq!(percentile(&hundred, 99.5), Some(100.0));
        assert_eq!(percentile(&hundred, 100.0), Some(100.0));
        assert_eq!(percentile(&hundred, 0.0), Some(1.0));
    }

    #[test]
    fn small_samples_report_observed_values() {
        assert_eq!(percentile(&[7.0], 99.0), Some(7.0));
        assert_eq!(percentile(&[1.0, 2.0, 3.0], 50.0), Some(2.0));
        assert_eq!(percentile(&[1.0, 2.0, 3.0, 4.0], 50.0), Some(2.0));
        assert_eq!(percentile(&[1.0, 2.0, 3.0, 4.0], 99.0), Some(4.0));
    }

    #[test]
    fn summary_sorts_and_ignores_non_finite_samples() {
        let summary = summarize(vec![3.0, f64::NAN, 1.0, 2.0]).unwrap();
        assert_eq!(summary.count, 3);
        assert_eq!(summary.p50_ms, 2.0);
        assert_eq!(summary.max_ms, 3.0);
        assert_eq!(summary.mean_ms, 2.0);
    }

    #[test]
    fn rate_is_zero_without_elapsed_time() {
        assert_eq!(rate(10, 0.0), 0.0);
        assert_eq!(rate(10, 2.0), 5.0);
    }
}
