"""Task 4.2.3: a chat server on asyncio sockets, its client and its benchmark."""
