"""Files core reads and writes: the region list a county hands in, its template, the national
county code list."""
