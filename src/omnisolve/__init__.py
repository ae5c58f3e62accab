"""omnisolve: state the problem, solve it with the right solver, and prove the answer."""
