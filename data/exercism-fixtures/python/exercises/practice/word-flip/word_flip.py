def flip(sentence):
    pass
