"""``lrplot check``: the schedule bugs users report, found before the run (rules.py), reported for people and
CI (report.py), and the run's own log compared with the prediction (compare.py)."""
