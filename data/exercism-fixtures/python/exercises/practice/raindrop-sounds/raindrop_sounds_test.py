import unittest

from raindrop_sounds import convert


class RaindropSoundsTest(unittest.TestCase):
    def test_one(self):
        self.assertEqual(convert(1), "1")

    def test_three(self):
        self.assertEqual(convert(3), "Pling")

    def test_fifteen(self):
        self.assertEqual(convert(15), "PlingPlang")

    def test_all(self):
        self.assertEqual(convert(105), "PlingPlangPlong")

    def test_fourteen(self):
        self.assertEqual(convert(14), "Plong")
