"""The WebSocket server: connections on an asyncio loop, storage in threads.

Built on ``websockets`` (see docs/websocket.md for why).  Each connection
reads one frame at a time and answers in order; a writer task sends its
answers and pushed messages from a bounded queue.  Memory per connection
is bounded by ``max_frame_size`` times ``max_queued_frames`` in and
``send_queue_size`` frames out; a client whose send queue fills up is
disconnected (1013) instead of holding anything up.
"""

import asyncio
import concurrent.futures
import functools
import logging
import signal
import threading

import falcon
import websockets
from websockets.asyncio.server import serve

from zaqar_lite import errors
from zaqar_lite.bootstrap import Bootstrap
from zaqar_lite.conf.snapshot import Snapshot
from zaqar_lite.transport.validation import Validator
from zaqar_lite.transport.websocket import frames, push
from zaqar_lite.transport.websocket.auth import (Authenticator,
                                                 NotAuthenticated, Session,
                                                 strategy)
from zaqar_lite.transport.websocket.handler import (Handler, Request,
                                                    error_answer)
from zaqar_lite.transport.wsgi.auth import Credentials
from zaqar_lite.transport.wsgi.errors import STATUSES
from zaqar_lite.transport.wsgi.hooks import RequestChecks

LOG = logging.getLogger(__name__)
EXPIRED = 4003  # close code: the token expired (Zaqar's)
TOO_SLOW = 1013  # close code: try again later
CLIENT_ERRORS = (*STATUSES, NotAuthenticated, falcon.HTTPError)


class Server:
    """Everything the connections share: the app, storage threads, pushes.

    Args:
        conf: the loaded configuration.
    """

    def __init__(self, conf):
        self.conf = conf
        self.options = conf['drivers:transport:websocket']
        self.boot = Bootstrap(conf)
        validator = Validator(Snapshot(conf.transport))
        app = self.boot.app
        # Socket subscriptions are checked here, not by the app: by then
        # the authenticator has put the connection's verified project in
        # the frame (keystone mode), so its checks are those of noauth
        # plus the frame's signature.
        checks = RequestChecks(validator,
                               Credentials(None, conf.signed_url.secret_key))
        self.handler = Handler(app, checks, validator, validator.limits)
        self.authenticator = Authenticator(app, strategy(conf))
        self.executor = concurrent.futures.ThreadPoolExecutor(
            self.options.threads, thread_name_prefix='zaqar-lite-ws')
        self.hub = push.Hub(self.boot.pipelines.message, self.run,
                            self.options.push_interval)

    async def run(self, function, *args, **kwargs):
        """Run a blocking (storage) call in the thread pool."""
        return await asyncio.get_running_loop().run_in_executor(
            self.executor, functools.partial(function, *args, **kwargs))

    async def serve_until(self, stop: asyncio.Event) -> None:
        """Listen on ``bind:port`` until ``stop`` is set.

        Raises:
            ConfigurationError: the address cannot be listened on.
        """
        ping = self.options.ping_interval or None
        try:
            listener = await serve(
                self.connect, self.options.bind, self.options.port,
                max_size=self.options.max_frame_size,
                max_queue=self.options.max_queued_frames, compression=None,
                ping_interval=ping, ping_timeout=ping,
                server_header='zaqar-lite')
        except OSError as exc:
            raise errors.ConfigurationError(
                f'cannot listen on {self.options.bind}:{self.options.port} '
                f'([drivers:transport:websocket]): {exc}') from exc
        LOG.info('serving WebSocket on ws://%s:%s', self.options.bind,
                 self.options.port)
        try:
            await stop.wait()
        finally:
            listener.close()
            await listener.wait_closed()
            self.hub.close()

    async def connect(self, websocket) -> None:
        await Connection(self, websocket).run()

    def close(self):
        self.executor.shutdown(wait=True)
        self.boot.close()


class Connection:
    """One client: reads requests in order; answers and pushes go out
    through a bounded queue."""

    def __init__(self, server: Server, websocket):
        self.server = server
        self.websocket = websocket
        self.outbox = asyncio.Queue(server.options.send_queue_size)
        self.session = Session()
        self.closing = False
        self.expiry = None
        self.closer = None  # the task closing the connection
        remote = websocket.remote_address
        self.remote = remote[0] if remote else ''

    async def run(self) -> None:
        writer = asyncio.create_task(self._write())
        try:
            async for data in self.websocket:
                binary = isinstance(data, bytes)
                answer = await self._answer(data, binary)
                await self.outbox.put(frames.encode(answer, binary))
        except websockets.ConnectionClosed:
            pass
        finally:
            self.closing = True
            self.server.hub.drop(self)
            writer.cancel()
            if self.expiry is not None:
                self.expiry.cancel()

    def push(self, document, binary) -> None:
        """Queue a pushed message; a full queue disconnects the client."""
        if self.closing:
            return
        try:
            self.outbox.put_nowait(frames.encode(document, binary))
        except asyncio.QueueFull:
            LOG.warning('disconnecting %s: its send queue is full',
                        self.remote)
            self._close(TOO_SLOW, 'Too slow: the send queue is full.')

    def _close(self, code, reason):
        self.closing = True
        self.server.hub.drop(self)
        self.closer = asyncio.create_task(self.websocket.close(code, reason))

    async def _write(self):
        try:
            while True:
                await self.websocket.send(await self.outbox.get())
        except websockets.ConnectionClosed:
            pass

    async def _answer(self, data, binary) -> dict:
        try:
            document = frames.decode(data)
        except frames.FrameError as exc:
            return frames.answer(None, 400, frames.error_body(
                'Invalid frame', str(exc)))
        try:
            return await self._serve(Request(document), binary)
        except CLIENT_ERRORS as exc:
            return error_answer(document, exc)
        except Exception:  # a bug: logged, and the connection goes on
            LOG.exception('unexpected error serving %r', document.get(
                'action'))
            return frames.answer(document, 500, frames.error_body(
                'Internal server error',
                'An unexpected error occurred; it has been logged.'))

    async def _serve(self, request, binary) -> dict:
        if request.name == 'authenticate':
            return await self._authenticate(request)
        headers = self.server.authenticator.check(
            request.name, request.headers, self.session)
        if request.subscribes_socket:
            project, queue, ttl = self.server.handler.socket_subscription(
                request, headers)
            self._check_subscription_count()
            subscription = await self.server.hub.subscribe(
                project, queue, self, binary, ttl)
            return frames.answer(request.document, 201,
                                 {'subscription_id': subscription.id})
        if request.name == 'subscription_delete' and \
                self.server.hub.unsubscribe(
                    request.body.get('subscription_id'), self):
            return frames.answer(request.document, 204, {})
        return await self.server.run(self.server.handler.serve, request,
                                     headers, self.remote)

    def _check_subscription_count(self):
        most = self.server.options.max_socket_subscriptions
        if self.server.hub.count(self) >= most:
            raise errors.ValidationError(
                f'A connection may hold at most {most} socket '
                'subscriptions; delete one first.',
                title='Too many subscriptions')

    async def _authenticate(self, request) -> dict:
        status, body = await self.server.run(
            self.server.authenticator.authenticate, request.headers,
            self.session)
        if status == 200 and self.session.expires_in is not None:
            if self.expiry is not None:
                self.expiry.cancel()
            self.expiry = asyncio.get_running_loop().call_later(
                self.session.expires_in, self._expire)
        return frames.answer(request.document, status, body)

    def _expire(self):
        self.session = Session()
        self._close(EXPIRED, 'Authentication expired.')


def run(conf, stop_flag=None) -> None:
    """Serve until SIGTERM or SIGINT (or ``stop_flag``, a threading.Event)."""
    server = Server(conf)

    async def main():
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        if stop_flag is not None:
            threading.Thread(target=_wait_then_set, daemon=True,
                             args=(stop_flag, loop, stop)).start()
        await server.serve_until(stop)

    try:
        asyncio.run(main())
    finally:
        server.close()


def _wait_then_set(flag, loop, stop):
    flag.wait()
    loop.call_soon_threadsafe(stop.set)
