import unittest

from digit_total import digit_total


class DigitTotalTest(unittest.TestCase):
    def test_positive(self):
        self.assertEqual(digit_total(1234), 10)

    def test_negative(self):
        self.assertEqual(digit_total(-56), 11)
