//! sonde-core
