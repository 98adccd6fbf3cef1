"""Selling: the order page, the cart, checkout, orders and what paying for one does."""
