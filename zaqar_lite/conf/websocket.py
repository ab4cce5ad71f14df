"""[drivers:transport:websocket]: the WebSocket server.

``bind`` and ``port`` are Zaqar's names (Zaqar's default port, 9000); the
bounds on frames, queues and threads are zaqar-lite's.
"""

from oslo_config import cfg

GROUP = 'drivers:transport:websocket'

OPTS = [
    cfg.HostAddressOpt('bind', default='127.0.0.1',
                       help='Address the WebSocket server listens on.'),
    cfg.PortOpt('port', default=9000,
                help='Port the WebSocket server listens on.'),
    cfg.IntOpt('max_frame_size', default=1048576, min=1024,
               help='Largest frame a client may send, in bytes; a larger '
                    'one closes the connection (code 1009). A message post '
                    'is still bounded by [transport] '
                    'max_messages_post_size.'),
    cfg.IntOpt('max_queued_frames', default=4, min=1,
               help='Frames read ahead from one connection while it waits '
                    'for an answer; the server stops reading from a '
                    'client that has this many waiting.'),
    cfg.IntOpt('send_queue_size', default=64, min=1,
               help='Frames (answers and pushed messages) waiting to be '
                    'sent to one client. A client that lets this many pile '
                    'up is too slow: it is disconnected (code 1013), so it '
                    'cannot hold up the server or other clients.'),
    cfg.IntOpt('max_socket_subscriptions', default=32, min=0,
               help='Socket subscriptions (subscription_create without a '
                    'subscriber) one connection may hold at once; 0 turns '
                    'pushing off.'),
    cfg.IntOpt('threads', default=8, min=1,
               help='Threads that run requests against storage, shared by '
                    'every connection (the event loop itself never waits '
                    'for storage).'),
    cfg.FloatOpt('push_interval', default=0.25, min=0.01,
                 help='Seconds between looks at each queue that a socket '
                      'subscribed to, for messages to push (one listing '
                      'per watched queue, however many sockets watch it).'),
    cfg.IntOpt('ping_interval', default=20, min=0,
               help='Seconds between WebSocket pings to each client; a '
                    'client that does not answer within as long again is '
                    'disconnected (0: no pings).'),
]


def list_opts():
    return [(GROUP, OPTS)]
