package httpapi_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/schoolcloud/lms/internal/app/apptest"
	"github.com/schoolcloud/lms/internal/lms/lmstest"
)

// discussionBundle is a course with its people signed in and a forum.
type discussionBundle struct {
	e                              *apptest.Env
	fx                             lmstest.Course
	base                           string
	teacher, learner, learner2     *apptest.Client
	otherTeacher, outsider, adminB *apptest.Client
	forum                          string
}

func setupDiscussion(t *testing.T, prefix string) discussionBundle {
	t.Helper()
	e := apptest.New(t)
	fx := lmstest.NewCourse(t, e.DB.App, e.A.ID, prefix)
	login := func(p lmstest.Person) *apptest.Client { return e.Login(e.A.Slug, p.Username, lmstest.Password) }
	b := discussionBundle{e: e, fx: fx, base: "/api/v1/t/tenant-a",
		teacher: login(fx.Teacher), learner: login(fx.Learner), learner2: login(fx.Learner2),
		otherTeacher: login(fx.OtherTeacher), outsider: login(fx.Outsider),
		adminB: e.Login(e.B.Slug, e.B.AdminUser, apptest.AdminPassword)}
	r := b.teacher.Expect(201, "POST", b.base+"/courses/"+fx.ID.String()+"/forums", map[string]any{"title": "  Questions ", "description": "Ask here.\nBe kind."})
	require.Equal(t, "Questions", r.JSON()["title"])
	b.forum = r.JSON()["id"].(string)
	return b
}

// fieldsOf lists the field names of a 400 problem.
func fieldsOf(t *testing.T, r *apptest.Response) []string {
	t.Helper()
	require.Equal(t, 400, r.Status, r.Text())
	var p struct {
		Errors []struct {
			Field string `json:"field"`
		} `json:"errors"`
	}
	r.Decode(&p)
	var out []string
	for _, e := range p.Errors {
		out = append(out, e.Field)
	}
	return out
}

// Learners start threads and reply; authors edit and delete their own
// posts, not others'; deleted posts keep their place; a learner's posts
// count as activity.
func TestDiscussionPostingAndAuthorship(t *testing.T) {
	t.Parallel()
	b := setupDiscussion(t, "dpa-")
	course := b.base + "/courses/" + b.fx.ID.String()

	// Only teachers open forums; everyone on the course lists them.
	require.Equal(t, 403, b.learner.Do("POST", course+"/forums", map[string]any{"title": "Mine"}).Status)
	r := b.learner.Expect(200, "GET", course+"/forums", nil)
	require.Contains(t, r.Text(), b.forum)

	r = b.learner.Expect(201, "POST", b.base+"/forums/"+b.forum+"/threads", map[string]any{"title": "Homework", "body": "When is it due?"})
	thread := r.JSON()["id"].(string)
	first := r.JSON()["first_post"].(map[string]any)
	require.Equal(t, "When is it due?", first["body"])
	require.Equal(t, b.fx.Learner.ID.String(), first["author_id"])
	require.Equal(t, "dpa- learner", first["author_name"])

	r = b.learner2.Expect(201, "POST", b.base+"/threads/"+thread+"/posts", map[string]any{"body": "Friday, I think."})
	reply := r.JSON()["id"].(string)
	r = b.teacher.Expect(201, "POST", b.base+"/threads/"+thread+"/posts", map[string]any{"body": "Friday it is."})

	r = b.learner.Expect(200, "GET", b.base+"/threads/"+thread, nil)
	require.EqualValues(t, 3, r.JSON()["post_count"])
	require.Equal(t, b.fx.ID.String(), r.JSON()["course_id"])

	// The author edits their own post; nobody else may change its words.
	firstID := first["id"].(string)
	r = b.learner.Expect(200, "PATCH", b.base+"/posts/"+firstID, map[string]any{"body": "When is the homework due?"})
	require.Equal(t, "When is the homework due?", r.JSON()["body"])
	require.NotNil(t, r.JSON()["edited_at"])
	require.Equal(t, 403, b.learner.Do("PATCH", b.base+"/posts/"+reply, map[string]any{"body": "Hacked"}).Status)
	require.Equal(t, 403, b.teacher.Do("PATCH", b.base+"/posts/"+reply, map[string]any{"body": "Rewritten"}).Status)
	require.Equal(t, 403, b.learner.Do("DELETE", b.base+"/posts/"+reply, nil).Status)
	// A learner may retitle their own thread, not lock or pin it.
	r = b.learner.Expect(200, "PATCH", b.base+"/threads/"+thread, map[string]any{"title": "Homework due date"})
	require.Equal(t, 403, b.learner.Do("PATCH", b.base+"/threads/"+thread, map[string]any{"pinned": true}).Status)
	require.Equal(t, 403, b.learner2.Do("PATCH", b.base+"/threads/"+thread, map[string]any{"title": "Mine now"}).Status)

	// Deleting keeps the place: the words go, the replies keep context.
	require.Equal(t, 204, b.learner2.Do("DELETE", b.base+"/posts/"+reply, nil).Status)
	require.Equal(t, 204, b.learner2.Do("DELETE", b.base+"/posts/"+reply, nil).Status, "deleting twice changes nothing")
	require.Equal(t, 409, b.learner2.Do("PATCH", b.base+"/posts/"+reply, map[string]any{"body": "Back"}).Status)
	var posts struct {
		Items      []map[string]any `json:"items"`
		NextCursor string           `json:"next_cursor"`
	}
	r = b.learner.Expect(200, "GET", b.base+"/threads/"+thread+"/posts", nil)
	r.Decode(&posts)
	require.Len(t, posts.Items, 3)
	require.Equal(t, reply, posts.Items[1]["id"])
	require.Equal(t, true, posts.Items[1]["deleted"])
	require.Equal(t, "", posts.Items[1]["body"])

	// Paged oldest first; filtered by author.
	r = b.learner.Do("GET", b.base+"/threads/"+thread+"/posts?limit=2", nil)
	r.Decode(&posts)
	require.Len(t, posts.Items, 2)
	require.Equal(t, firstID, posts.Items[0]["id"])
	require.NotEmpty(t, posts.NextCursor)
	r = b.learner.Do("GET", b.base+"/threads/"+thread+"/posts?limit=2&cursor="+posts.NextCursor, nil)
	r.Decode(&posts)
	require.Len(t, posts.Items, 1)
	require.Equal(t, "Friday it is.", posts.Items[0]["body"])
	r = b.learner.Do("GET", b.base+"/threads/"+thread+"/posts?author_id="+b.fx.Teacher.ID.String(), nil)
	r.Decode(&posts)
	require.Len(t, posts.Items, 1)

	// Bad input is a 400 naming the fields.
	require.Equal(t, []string{"title"}, fieldsOf(t, b.learner.Do("POST", b.base+"/forums/"+b.forum+"/threads",
		map[string]any{"title": strings.Repeat("x", 201), "body": "Hi"})))
	require.Equal(t, []string{"body", "title"}, fieldsOf(t, b.learner.Do("POST", b.base+"/forums/"+b.forum+"/threads",
		map[string]any{"title": " \t", "body": "   "})))
	require.Equal(t, []string{"body"}, fieldsOf(t, b.learner.Do("POST", b.base+"/threads/"+thread+"/posts", map[string]any{"body": "a\x1bb"})))
	require.Equal(t, []string{"author_id", "limit"}, fieldsOf(t, b.learner.Do("GET", b.base+"/threads/"+thread+"/posts?author_id=x&limit=0", nil)))
	require.Equal(t, []string{"pinned"}, fieldsOf(t, b.learner.Do("GET", b.base+"/forums/"+b.forum+"/threads?pinned=maybe", nil)))

	// The learners' posts are their activity on the course.
	r = b.teacher.Expect(200, "GET", course+"/engagement/"+b.fx.Learner.ID.String(), nil)
	require.EqualValues(t, 1, r.JSON()["counts"].(map[string]any)["post"])
	r = b.teacher.Do("GET", course+"/engagement/"+b.fx.Learner2.ID.String(), nil)
	require.EqualValues(t, 1, r.JSON()["counts"].(map[string]any)["post"])
}

// Teachers moderate: hide with a reason the author sees, delete any post,
// lock and pin threads; a locked thread refuses learners' posts and edits.
func TestDiscussionModeration(t *testing.T) {
	t.Parallel()
	b := setupDiscussion(t, "dmo-")
	r := b.learner.Expect(201, "POST", b.base+"/forums/"+b.forum+"/threads", map[string]any{"title": "Off topic", "body": "Something unkind"})
	thread := r.JSON()["id"].(string)
	post := r.JSON()["first_post"].(map[string]any)["id"].(string)

	// Hiding needs a reason; learners cannot hide.
	require.Equal(t, []string{"hidden_reason"}, fieldsOf(t, b.teacher.Do("PATCH", b.base+"/posts/"+post, map[string]any{"hidden": true})))
	require.Equal(t, 403, b.learner2.Do("PATCH", b.base+"/posts/"+post, map[string]any{"hidden": true, "hidden_reason": "Mean"}).Status)
	r = b.teacher.Expect(200, "PATCH", b.base+"/posts/"+post, map[string]any{"hidden": true, "hidden_reason": "Please keep to the topic."})
	require.Equal(t, true, r.JSON()["hidden"])

	postsAs := func(c *apptest.Client) []map[string]any {
		var p struct{ Items []map[string]any }
		r := c.Expect(200, "GET", b.base+"/threads/"+thread+"/posts", nil)
		r.Decode(&p)
		require.NotEmpty(t, p.Items)
		return p.Items
	}
	// The class sees that it was hidden, not what it said; the author and
	// teachers see both, and the reason.
	other := postsAs(b.learner2)[0]
	require.Equal(t, true, other["hidden"])
	require.Equal(t, "", other["body"])
	require.Nil(t, other["hidden_reason"])
	own := postsAs(b.learner)[0]
	require.Equal(t, "Something unkind", own["body"])
	require.Equal(t, "Please keep to the topic.", own["hidden_reason"])
	require.Equal(t, "Something unkind", postsAs(b.teacher)[0]["body"])
	r = b.teacher.Expect(200, "PATCH", b.base+"/posts/"+post, map[string]any{"hidden": false})
	require.Equal(t, "Something unkind", postsAs(b.learner2)[0]["body"])

	// Locked: learners may not post or edit; teachers still may.
	r = b.teacher.Expect(200, "PATCH", b.base+"/threads/"+thread, map[string]any{"locked": true, "pinned": true})
	require.Equal(t, true, r.JSON()["locked"])
	require.Equal(t, 403, b.learner2.Do("POST", b.base+"/threads/"+thread+"/posts", map[string]any{"body": "Me too"}).Status)
	require.Equal(t, 403, b.learner.Do("PATCH", b.base+"/posts/"+post, map[string]any{"body": "Sorry"}).Status)
	require.Equal(t, 201, b.teacher.Do("POST", b.base+"/threads/"+thread+"/posts", map[string]any{"body": "Closed."}).Status)
	var threads struct{ Items []map[string]any }
	r = b.learner.Expect(200, "GET", b.base+"/forums/"+b.forum+"/threads?pinned=true", nil)
	r.Decode(&threads)
	require.Len(t, threads.Items, 1)
	r = b.learner.Do("GET", b.base+"/forums/"+b.forum+"/threads?pinned=false", nil)
	r.Decode(&threads)
	require.Empty(t, threads.Items)

	// Teachers delete any post, and whole threads; learners cannot.
	require.Equal(t, 204, b.teacher.Do("DELETE", b.base+"/posts/"+post, nil).Status)
	require.Equal(t, true, postsAs(b.learner)[0]["deleted"])
	require.Equal(t, 403, b.learner.Do("DELETE", b.base+"/threads/"+thread, nil).Status)
	require.Equal(t, 204, b.teacher.Do("DELETE", b.base+"/threads/"+thread, nil).Status)
	require.Equal(t, 404, b.learner.Do("GET", b.base+"/threads/"+thread, nil).Status)
	require.Equal(t, 404, b.teacher.Do("PATCH", b.base+"/posts/"+post, map[string]any{"hidden": false}).Status)
}

// Only people on a visible course see its discussions: an outsider, a
// teacher of another course and another tenant's admin get 404, learners
// lose sight of a course put back in draft.
func TestDiscussionVisibility(t *testing.T) {
	t.Parallel()
	b := setupDiscussion(t, "dvi-")
	r := b.teacher.Expect(201, "POST", b.base+"/forums/"+b.forum+"/threads", map[string]any{"title": "Welcome", "body": "Hello all"})
	thread := r.JSON()["id"].(string)
	post := r.JSON()["first_post"].(map[string]any)["id"].(string)
	course := b.base + "/courses/" + b.fx.ID.String()

	for name, c := range map[string]*apptest.Client{"outsider": b.outsider, "other teacher": b.otherTeacher} {
		require.Equal(t, 404, c.Do("GET", course+"/forums", nil).Status, name)
		require.Equal(t, 404, c.Do("GET", b.base+"/forums/"+b.forum, nil).Status, name)
		require.Equal(t, 404, c.Do("GET", b.base+"/forums/"+b.forum+"/threads", nil).Status, name)
		require.Equal(t, 404, c.Do("GET", b.base+"/threads/"+thread+"/posts", nil).Status, name)
		require.Equal(t, 404, c.Do("POST", b.base+"/threads/"+thread+"/posts", map[string]any{"body": "Hi"}).Status, name)
		require.Equal(t, 404, c.Do("PATCH", b.base+"/posts/"+post, map[string]any{"hidden": true, "hidden_reason": "x"}).Status, name)
		require.Equal(t, 404, c.Do("DELETE", b.base+"/posts/"+post, nil).Status, name)
	}
	require.Equal(t, 404, b.adminB.Do("GET", "/api/v1/t/tenant-b/forums/"+b.forum, nil).Status)
	require.Equal(t, 404, b.adminB.Do("GET", "/api/v1/t/tenant-b/threads/"+thread+"/posts", nil).Status)

	// A course back in draft hides its discussions from learners only.
	r = b.teacher.Expect(200, "PATCH", course, map[string]any{"status": "draft"})
	require.Equal(t, 404, b.learner.Do("GET", course+"/forums", nil).Status)
	require.Equal(t, 404, b.learner.Do("GET", b.base+"/threads/"+thread+"/posts", nil).Status)
	require.Equal(t, 404, b.learner.Do("POST", b.base+"/threads/"+thread+"/posts", map[string]any{"body": "Hi"}).Status)
	require.Equal(t, 200, b.teacher.Do("GET", b.base+"/threads/"+thread+"/posts", nil).Status)

	// An archived course stays readable to its learners but closed.
	r = b.teacher.Expect(200, "PATCH", course, map[string]any{"status": "archived"})
	require.Equal(t, 200, b.learner.Do("GET", b.base+"/threads/"+thread+"/posts", nil).Status)
	require.Equal(t, 403, b.learner.Do("POST", b.base+"/threads/"+thread+"/posts", map[string]any{"body": "Hi"}).Status)

	// Forums are managed by teachers; removing one removes its threads.
	require.Equal(t, 403, b.learner.Do("DELETE", b.base+"/forums/"+b.forum, nil).Status)
	r = b.teacher.Expect(200, "PATCH", b.base+"/forums/"+b.forum, map[string]any{"title": "Old questions"})
	require.EqualValues(t, 1, r.JSON()["thread_count"])
	require.Equal(t, 204, b.teacher.Do("DELETE", b.base+"/forums/"+b.forum, nil).Status)
	require.Equal(t, 404, b.teacher.Do("GET", b.base+"/threads/"+thread, nil).Status)
}
