//! TCP connections that a request handler can cut. The `drop` fault must close a
//! connection without sending any response, which a handler cannot do through hyper: it
//! always writes the response it is given. Cutting the socket underneath hyper makes
//! that write fail, and hyper then closes the connection with nothing sent.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::extract::connect_info::Connected;
use axum::serve::{IncomingStream, Listener};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

/// Accepts connections whose streams carry a [`ConnectionHandle`].
pub struct SeverableListener {
    inner: TcpListener,
}

impl SeverableListener {
    pub fn new(inner: TcpListener) -> Self {
        SeverableListener { inner }
    }
}

impl Listener for SeverableListener {
    type Io = SeverableStream;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        // axum's own accept loop already retries and backs off on accept errors.
        let (stream, address) = Listener::accept(&mut self.inner).await;
        let stream = SeverableStream {
            stream,
            severed: Arc::new(AtomicBool::new(false)),
        };
        (stream, address)
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        self.inner.local_addr()
    }
}

/// A TCP stream that fails every read and write once its handle was used to sever it.
pub struct SeverableStream {
    stream: TcpStream,
    severed: Arc<AtomicBool>,
}

impl SeverableStream {
    fn check(&self) -> io::Result<()> {
        if self.severed.load(Ordering::Acquire) {
            Err(io::Error::new(
                io::ErrorKind::ConnectionAborted,
                "connection severed by fault injection",
            ))
        } else {
            Ok(())
        }
    }
}

impl AsyncRead for SeverableStream {
    fn poll_read(
        self: Pin<&mut Self>,
        context: &mut Context<'_>,
        buffer: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if let Err(error) = this.check() {
            return Poll::Ready(Err(error));
        }
        Pin::new(&mut this.stream).poll_read(context, buffer)
    }
}

impl AsyncWrite for SeverableStream {
    fn poll_write(
        self: Pin<&mut Self>,
        context: &mut Context<'_>,
        buffer: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if let Err(error) = this.check() {
            return Poll::Ready(Err(error));
        }
        Pin::new(&mut this.stream).poll_write(context, buffer)
    }

    fn poll_flush(self: Pin<&mut Self>, context: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if let Err(error) = this.check() {
            return Poll::Ready(Err(error));
        }
        Pin::new(&mut this.stream).poll_flush(context)
    }

    fn poll_shutdown(self: Pin<&mut Self>, context: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_shutdown(context)
    }
}

/// Per-connection handle, given to handlers as `ConnectInfo<ConnectionHandle>`.
#[derive(Clone, Debug)]
pub struct ConnectionHandle {
    severed: Arc<AtomicBool>,
    peer: SocketAddr,
}

impl ConnectionHandle {
    /// A handle not tied to any socket, for in-process requests that need a peer address
    /// (rate-limit tests); severing it has no effect.
    pub fn detached(peer: SocketAddr) -> Self {
        ConnectionHandle {
            severed: Arc::new(AtomicBool::new(false)),
            peer,
        }
    }

    /// The address of the other end of the TCP connection.
    pub fn peer(&self) -> SocketAddr {
        self.peer
    }

    /// Makes the connection fail from now on: the response being prepared is never sent.
    pub fn sever(&self) {
        self.severed.store(true, Ordering::Release);
    }
}

impl Connected<IncomingStream<'_, SeverableListener>> for ConnectionHandle {
    fn connect_info(stream: IncomingStream<'_, SeverableListener>) -> Self {
        ConnectionHandle {
            severed: Arc::clone(&stream.io().severed),
            peer: *stream.remote_addr(),
        }
    }
}
