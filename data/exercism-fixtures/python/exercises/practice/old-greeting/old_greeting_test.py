import unittest

from old_greeting import greet


class GreetTest(unittest.TestCase):
    def test_greet(self):
        self.assertEqual(greet(), "hello")
