// Powers off at once: the bench tool times it to subtract the emulator's start-up cost.
int main(void) { return 0; }
