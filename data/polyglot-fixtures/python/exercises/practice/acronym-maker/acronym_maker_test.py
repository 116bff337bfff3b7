import unittest

from acronym_maker import abbreviate


class AcronymMakerTest(unittest.TestCase):
    def test_basic(self):
        self.assertEqual(abbreviate("Portable Network Graphics"), "PNG")

    def test_hyphens(self):
        self.assertEqual(abbreviate("Complementary metal-oxide semiconductor"), "CMOS")
