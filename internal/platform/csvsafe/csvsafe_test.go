package csvsafe_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/schoolcloud/lms/internal/platform/csvsafe"
)

func TestCell(t *testing.T) {
	for in, want := range map[string]string{
		"=SUM(A1:A2)": "'=SUM(A1:A2)", "+1": "'+1", "-1": "'-1", "@cmd": "'@cmd",
		"": "", "Ada Lovelace": "Ada Lovelace", "1=1": "1=1",
	} {
		require.Equal(t, want, csvsafe.Cell(in), in)
	}
}
