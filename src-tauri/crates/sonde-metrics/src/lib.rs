//! sonde-metrics
