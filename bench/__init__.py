"""The benchmark: `python -m bench` (README, "Measure it"). Figures, never assertions."""
