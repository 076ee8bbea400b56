//! sonde-suite: see tests/ and benches/.
