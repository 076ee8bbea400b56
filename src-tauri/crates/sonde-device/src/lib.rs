//! sonde-device
