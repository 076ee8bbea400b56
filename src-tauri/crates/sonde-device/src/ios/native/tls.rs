//! TLS for lockdown sessions and services: this computer proves itself
//! with the pair record's host certificate and key. The device's
//! certificate is not checked against a CA (it has none; libimobiledevice
//! does not check it either): the link is the local USB cable through
//! usbmuxd, and what matters is that the device accepts our pairing.
//! Handshake signatures are still verified.

use super::pair::PairRecord;
use super::stream::{boxed, BoxStream};
use crate::error::{DeviceError, Result};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{self, CryptoProvider};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, SignatureScheme};
use std::sync::Arc;

#[derive(Debug)]
struct AnyDeviceCertificate(Arc<CryptoProvider>);

impl ServerCertVerifier for AnyDeviceCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp: &[u8],
        _now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        crypto::verify_tls12_signature(message, cert, dss, &self.0.signature_verification_algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        crypto::verify_tls13_signature(message, cert, dss, &self.0.signature_verification_algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

fn config(pair: &PairRecord, udid: &str) -> Result<ClientConfig> {
    let bad = |what: &str| DeviceError::ToolFailed {
        tool: "lockdownd",
        code: -1,
        message: format!("the pair record of {udid} has an unusable {what}: pair again (idevicepair pair)"),
    };
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&pair.host_certificate)
        .collect::<std::result::Result<_, _>>()
        .map_err(|_| bad("host certificate"))?;
    if certs.is_empty() {
        return Err(bad("host certificate"));
    }
    let key = PrivateKeyDer::from_pem_slice(&pair.host_private_key).map_err(|_| bad("host key"))?;
    let provider = Arc::new(crypto::ring::default_provider());
    let mut config = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| DeviceError::Internal(format!("TLS setup: {e}")))?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(AnyDeviceCertificate(provider)))
        .with_client_auth_cert(certs, key)
        .map_err(|_| bad("host key"))?;
    config.enable_sni = false;
    Ok(config)
}

/// Runs the TLS handshake over `stream` as lockdownd asks.
pub async fn wrap(stream: BoxStream, pair: &PairRecord, udid: &str) -> Result<BoxStream> {
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config(pair, udid)?));
    let name = ServerName::try_from("lockdown.sonde.invalid")
        .map_err(|e| DeviceError::Internal(format!("TLS name: {e}")))?;
    let tls = connector.connect(name, stream).await.map_err(|e| {
        if e.kind() == std::io::ErrorKind::InvalidData {
            // The device refused our certificate: the pairing is stale.
            tracing::debug!(error = %e, "TLS handshake refused");
            DeviceError::Untrusted { udid: udid.to_owned() }
        } else {
            DeviceError::Offline { device: format!("{udid}: TLS handshake failed ({e})") }
        }
    })?;
    Ok(boxed(tls))
}
