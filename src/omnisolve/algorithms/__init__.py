"""Pure algorithm kernels (numpy / numba) behind the specialized solver adapters; no solver
interface, no problem classes."""
