-- sum: accepted. Int is 64 bits with GHC on x86-64; ByteString input, one Builder for the output.
import qualified Data.ByteString.Char8 as B
import qualified Data.ByteString.Builder as BB
import Data.Maybe (fromJust)
import System.IO (stdout)

readInt :: B.ByteString -> Int
readInt = fst . fromJust . B.readInt

main :: IO ()
main = do
  ws <- B.words <$> B.getContents
  let t = readInt (head ws)
      sums = pairs (take (2 * t) (tail ws))
      pairs (a : b : rest) = (readInt a + readInt b) : pairs rest
      pairs _ = []
  BB.hPutBuilder stdout (mconcat [BB.intDec s <> BB.char7 '\n' | s <- sums])
