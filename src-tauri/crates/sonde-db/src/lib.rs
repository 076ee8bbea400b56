//! sonde-db
