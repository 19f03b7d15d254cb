"""The demo retailer's made-up data: plain values and their shapes, no logic.

The engine in `ticketing.demo` loads these and plays them; with the seed they fix the data set, so
changing a value here changes the rows the demo makes.
"""
