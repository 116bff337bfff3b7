def median(values):
    pass
