"""NJ Form 306: Research and Development Tax Credit (Corporation Business Tax)."""
