// sum: wrong answer. Builds the output in a StringBuilder but forgets the '\n' after each sum:
// the numbers run together on one line ("3-20" for sample 1), one wrong token per test.
import java.io.BufferedReader
import java.io.InputStreamReader
import java.util.StringTokenizer

fun main() {
    val reader = BufferedReader(InputStreamReader(System.`in`))
    val t = reader.readLine().trim().toInt()
    val sb = StringBuilder()
    repeat(t) {
        val st = StringTokenizer(reader.readLine())
        val a = st.nextToken().toLong()
        val b = st.nextToken().toLong()
        sb.append(a + b)
    }
    println(sb)
}
