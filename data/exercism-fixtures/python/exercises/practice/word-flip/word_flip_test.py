import unittest

from word_flip import flip


class WordFlipTest(unittest.TestCase):
    def test_two_words(self):
        self.assertEqual(flip("hello world"), "world hello")

    def test_one_word(self):
        self.assertEqual(flip("alone"), "alone")
