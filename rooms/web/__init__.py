"""Thin HTTP views (rooms, accounts, health): each reads the request, calls the domain, renders or redirects."""
