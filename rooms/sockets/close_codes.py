"""How the room socket ends, in codes every ASGI server sends as they are.

Application codes (4000-4999, RFC 6455 §7.4.2), not the protocol's own 1003,
1008 or 1013: daphne, the development server, refuses any close code but 1000
and 3000-4999 from an application (with a traceback, leaving the socket open).
Each reads as 4000 plus the HTTP status it echoes.

Which of them a page reconnects after is said on the page itself
(templates/rooms/room.html, the socket's `reconnectCodes`), and so are the
words each final one is explained with (`data-text-closed-<code>`).
"""

# Final: the page stops sending and says why.
UNREADABLE = 4400  # a frame that is no compose form (binary); the page sent it, so sending again would not help
SIGNED_OUT = 4401  # the browser session that opened the socket signed out
NOT_A_MEMBER = 4403  # left the room, or was removed from it
DEACTIVATED = 4410  # the account was deactivated
TOO_LARGE = 4413  # a frame over the limit, under a server that let it through (config/serve.py's refuse it with 1009)

# The page reconnects, with backoff, and catches up from its cursor.
TRY_AGAIN_LATER = 4503  # the database failed during catch-up, or the page fell too far behind

FINAL = (UNREADABLE, SIGNED_OUT, NOT_A_MEMBER, DEACTIVATED, TOO_LARGE)
