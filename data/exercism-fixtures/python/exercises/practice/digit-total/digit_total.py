def digit_total(number):
    pass
