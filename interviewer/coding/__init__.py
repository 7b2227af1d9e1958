"""The coding round: exercises as data, a sandbox for untrusted code, hidden-test grading, and the CLI."""
