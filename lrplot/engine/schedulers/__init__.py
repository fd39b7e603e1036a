"""Scheduler implementations, each declared once with its :class:`~lrplot.engine.base.SchedulerSpec`."""
