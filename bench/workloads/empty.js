// Intentionally empty: the startup suite measures only process start and exit.
