"""Pin the course's numerics (chapter 00) before any test module imports numpy or torch."""
import mmtrend.data  # noqa: F401  (import for its side effect: `pin_numerics`, which must run first)
