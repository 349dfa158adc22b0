"""People in rooms beyond the access rules (rooms/access.py): closing the sockets of someone who may no
longer be there (cutoff)."""
