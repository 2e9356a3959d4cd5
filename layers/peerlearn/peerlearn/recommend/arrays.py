"""Small helpers for the model's arrays (one compact numpy file, no pickles)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt


def strings(values: list[str]) -> npt.NDArray[np.str_]:
    """A numpy unicode array (never an object array: loading runs no pickle), empty ones too."""
    return np.asarray(values, dtype=np.str_) if values else np.zeros(0, dtype="<U1")
