"""A synchronous httpx transport that calls an ASGI app in process.

httpx's ``ASGITransport`` is asynchronous only; the harness's client (and the tests) are
synchronous. This transport runs each request to completion on a private event loop in the
calling thread, bounded by the request's read timeout (so the mock's stall fault ends in a
timeout, as it would over a socket). No background thread is involved.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx


class SyncASGITransport(httpx.BaseTransport):
    """``httpx.Client(transport=SyncASGITransport(app), base_url="http://mock")``."""

    def __init__(self, app: Any) -> None:
        self._inner = httpx.ASGITransport(app=app)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request`` to the app; the read timeout bounds the wait."""

        async def call() -> tuple[int, list[tuple[bytes, bytes]], bytes]:
            response = await self._inner.handle_async_request(request)
            body = await response.aread()
            return response.status_code, response.headers.raw, body

        timeout = (request.extensions.get("timeout") or {}).get("read")
        loop = asyncio.new_event_loop()
        try:
            status, headers, body = loop.run_until_complete(asyncio.wait_for(call(), timeout))
        except asyncio.TimeoutError:
            raise httpx.ReadTimeout("the app did not answer in time", request=request) from None
        finally:
            loop.close()
        # A stream, not content: the client then reads and closes it (and sets .elapsed).
        return httpx.Response(
            status, headers=headers, stream=httpx.ByteStream(body), request=request
        )
