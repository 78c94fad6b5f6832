"""The benchmark's parts: organisation generator, servers, measured steps, naive baseline,
report. `bench/run.py` composes them; `tests/bench` runs them small."""
