"""Benchmarks: suites of instances with known optima (`suites`), isolated runs under hard time
limits (`runner`, `worker`), measures (`metrics`), reports and plots (`report`, `plots`), and the
`omnisolve bench` command (`command`)."""
