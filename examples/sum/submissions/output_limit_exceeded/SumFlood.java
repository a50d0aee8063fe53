// sum: output limit exceeded. Writes 64 KiB blocks forever, straight to the
// stdout file descriptor: unlike System.out (a PrintStream, which swallows
// errors), a write that fails ends the program with an IOException.
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;

public class SumFlood {
    public static void main(String[] args) throws IOException {
        byte[] block = new byte[1 << 16];
        Arrays.fill(block, (byte) '7');
        for (int i = 63; i < block.length; i += 64) block[i] = '\n';
        OutputStream out = new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16);
        for (;;) out.write(block);
    }
}
