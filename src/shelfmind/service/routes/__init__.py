"""HTTP routes: the shop (read-only), shopper profiles, and the review console API."""
