//! A byte stream to the device, whatever carries it (a Unix socket or TCP
//! to usbmuxd, TLS on top of either).

use tokio::io::{AsyncRead, AsyncWrite};

pub trait DeviceStream: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> DeviceStream for T {}

pub type BoxStream = Box<dyn DeviceStream>;

pub fn boxed(s: impl DeviceStream + 'static) -> BoxStream {
    Box::new(s)
}
