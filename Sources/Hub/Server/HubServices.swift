import Logging
import ServiceLifecycle

// The hub's parts as services of one `ServiceGroup`: the one shutdown path. A signal (or, when
// asked, the end of stdin) makes `ShutdownSignalService` return, which shuts the group down
// gracefully, in reverse order: sessions end (and browsers are closed), the engines stop, then
// the HTTP servers.

/// Returns when SIGINT or SIGTERM arrives (or stdin closes, with `orStdinClose`).
struct ShutdownSignalService: Service {
    let orStdinClose: Bool
    let logger: Logger

    func run() async {
        // Ended early: another service failed (a port taken) and the group shuts down anyway.
        guard await cancelWhenGracefulShutdown({ await ShutdownSignal.wait(orStdinClose: orStdinClose); return !Task.isCancelled }) else {
            return
        }
        logger.notice("shutting down: ending every session")
        // Ctrl-C must end the hub even if something the shutdown waits for never lets go.
        ShutdownDeadline.arm()
    }
}

/// Watches the sessions while the hub runs; at shutdown ends every one and closes the browsers.
struct SessionsService: Service {
    let sessions: SessionManager
    let browsers: BrowserHub

    func run() async {
        await cancelWhenGracefulShutdown { await sessions.watch() }
        await sessions.terminateAll()
        await browsers.closeAll()
    }
}

/// Keeps a master SSH connection to every host while the hub runs; closes them at shutdown.
struct HostsService: Service {
    let hosts: HostLinks

    func run() async {
        await hosts.start()
        try? await gracefulShutdown()
        await hosts.stop()
    }
}

/// Probes the engines while the hub runs; at shutdown stops the ones it launched.
struct SpeechService: Service {
    let speech: SpeechStack

    func run() async {
        await cancelWhenGracefulShutdown { await speech.run() }
        await speech.stop()
    }
}
