//! The accept loop: axum's router over hyper, with what `axum::serve` does not offer.
//!
//! - **Header timeout.** A connection must deliver each request's head within
//!   `header_timeout`, counted from when the server is ready to read it. That cuts
//!   clients that trickle headers, sockets that connect and say nothing, and idle
//!   keep-alive connections. A response in progress (an event stream) is never cut.
//! - **Connection cap.** At most `max_connections` at once, never more than the
//!   process's file limit allows with room to spare: past it a new connection is
//!   closed at once, instead of accept failing in a loop with every socket held.
//!   Together with the timeout, silent sockets free their places within seconds.
//! - **Graceful shutdown.** On the signal, stop accepting, let requests finish, and
//!   wait at most `grace` for the rest.
use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::ServiceExt;

#[derive(Debug, Clone)]
pub struct ConnectionLimits {
    pub header_timeout: Duration,
    pub max_connections: usize,
    pub grace: Duration,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        Self { header_timeout: Duration::from_secs(15), max_connections: 20_000, grace: Duration::from_secs(10) }
    }
}

/// Raises the soft limit on open files to the hard one, and answers how many
/// connections fit under it, keeping room for the database, files and logs.
pub fn connection_room(wanted: usize) -> usize {
    const RESERVE: u64 = 64;
    let mut lim = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: getrlimit/setrlimit with a valid pointer to a local rlimit.
    let files = unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) != 0 {
            return wanted;
        }
        if lim.rlim_cur < lim.rlim_max {
            let raised = libc::rlimit { rlim_cur: lim.rlim_max, rlim_max: lim.rlim_max };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &raised) == 0 {
                lim.rlim_cur = lim.rlim_max;
            }
        }
        lim.rlim_cur
    };
    let room = files.saturating_sub(RESERVE).max(16);
    wanted.min(usize::try_from(room).unwrap_or(usize::MAX))
}

pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let max = connection_room(limits.max_connections);
    if max < limits.max_connections {
        tracing::warn!(max, "the open-file limit caps connections below the configured maximum");
    }
    let places = Arc::new(Semaphore::new(max));
    // HTTP/1.1 only: what browsers speak to a plain-http origin and what reverse
    // proxies speak to their upstream. (hyper's auto-detection of HTTP/2 waits for
    // the first bytes without any timeout, which is what let silent sockets stay.)
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new()).header_read_timeout(limits.header_timeout);
    let graceful = GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    // Out of file descriptors, most likely: give sockets time to close.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = &mut shutdown => break,
        };
        let Ok(place) = places.clone().try_acquire_owned() else {
            tracing::debug!(%peer, "connection limit reached; closing a new connection");
            drop(stream);
            continue;
        };
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
            req.extensions_mut().insert(ConnectInfo(peer));
            app.clone().oneshot(req.map(axum::body::Body::new))
        });
        let conn = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                tracing::trace!(error = %e, "connection ended with an error");
            }
            drop(place);
        });
    }
    drop(listener);
    tokio::select! {
        _ = graceful.shutdown() => {}
        _ = tokio::time::sleep(limits.grace) => tracing::warn!("connections still open after the grace period"),
    }
    Ok(())
}
