"""What is said in rooms: the write path (posting), rendering once and publishing (broadcast), reading
history and what a page missed (history, catch_up), and the sender's composer reply (composing)."""
